// Stands in for @atlaskit/feature-gate-js-client in the built page (see vite.config.ts).
//
// @atlaskit/platform-feature-flags asks that client whether each feature gate is on. The client
// (with the Statsig SDK under it, a third of the page's shared code) answers only once a product
// initializes it with its own Statsig key; a Custom UI frame never does, so every answer is
// "off" (false, or the default given), after a console warning. This module gives the same
// answers without the SDK.
const FeatureGates = {
  checkGate: (_gateName: string): boolean => false,
  getExperimentValue: <T>(_experimentName: string, _parameterName: string, defaultValue: T): T => defaultValue,
};

export default FeatureGates;
