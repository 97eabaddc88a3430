export const securityFlows = [];
