stand-in for App/Onboarding/OnboardingCarouselView.swift
