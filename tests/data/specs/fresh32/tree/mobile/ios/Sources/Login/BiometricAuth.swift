import LocalAuthentication

final class BiometricAuth {
    private let context = LAContext()

    func authenticate(reason: String, completion: @escaping (Bool) -> Void) {
        var error: NSError?
        guard context.canEvaluatePolicy(.deviceOwnerAuthenticationWithBiometrics, error: &error) else {
            completion(false)
            return
        }
        context.evaluatePolicy(.deviceOwnerAuthenticationWithBiometrics, localizedReason: reason) { ok, _ in
            completion(ok)
        }
    }
}
