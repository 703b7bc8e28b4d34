/**
 * The policy pack the Pulumi CLI loads (`pulumi preview --policy-pack policies`). This file is the
 * only place that constructs the PolicyPack: constructing it starts the analyzer's gRPC server.
 */
import { PolicyPack } from "@pulumi/policy";
import { PACK_NAME, packArgs } from "./pack";

new PolicyPack(PACK_NAME, packArgs);
