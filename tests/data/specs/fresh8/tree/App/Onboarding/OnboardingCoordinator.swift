stand-in for App/Onboarding/OnboardingCoordinator.swift
