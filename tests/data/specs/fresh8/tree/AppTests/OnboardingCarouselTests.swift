stand-in for AppTests/OnboardingCarouselTests.swift
