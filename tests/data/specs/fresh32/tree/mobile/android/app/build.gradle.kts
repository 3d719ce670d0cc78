plugins {
    id("com.android.application")
    kotlin("android")
}

android {
    namespace = "com.northbank.app"
    compileSdk = 34
    defaultConfig {
        applicationId = "com.northbank.app"
        minSdk = 26
        targetSdk = 34
        versionCode = 4127
        versionName = "7.14.0"
    }
}
