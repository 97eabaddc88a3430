export const agentFlows = [];
