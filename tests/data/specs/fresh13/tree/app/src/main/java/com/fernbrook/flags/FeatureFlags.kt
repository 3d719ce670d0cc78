stand-in for FeatureFlags object
