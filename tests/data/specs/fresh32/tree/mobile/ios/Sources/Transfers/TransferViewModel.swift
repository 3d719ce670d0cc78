import Foundation

final class TransferViewModel: ObservableObject {
    @Published var amountText: String = ""
    @Published var errorMessage: String?

    var amount: Decimal? { Decimal(string: amountText) }

    func validate(balance: Decimal) -> Bool {
        guard let amount = amount, amount > 0 else {
            errorMessage = "Enter an amount"
            return false
        }
        if amount > balance {
            errorMessage = "Amount exceeds available balance"
            return false
        }
        errorMessage = nil
        return true
    }
}
