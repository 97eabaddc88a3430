export const adminFlows = [];
