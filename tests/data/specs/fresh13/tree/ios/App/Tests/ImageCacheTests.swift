stand-in for ImageCache tests
