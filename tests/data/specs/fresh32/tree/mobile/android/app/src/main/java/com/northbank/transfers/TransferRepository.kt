package com.northbank.transfers

import java.math.BigDecimal

class TransferRepository(private val api: TransferApi) {

    suspend fun submit(fromId: String, toId: String, amount: BigDecimal): Result<String> {
        return try {
            val resp = api.createTransfer(fromId, toId, amount.toPlainString())
            Result.success(resp.confirmationId!!)
        } catch (e: Exception) {
            Result.failure(e)
        }
    }
}
