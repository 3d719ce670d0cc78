stand-in for App/Theme/Palette.swift
