stand-in for ImageCache class
