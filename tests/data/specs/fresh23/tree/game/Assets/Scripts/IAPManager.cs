using UnityEngine;
using UnityEngine.Purchasing;

public class IAPManager : MonoBehaviour
{
    public const string PearlPackSmall = "com.tidepool.pearls.small";
    public const string PearlPackLarge = "com.tidepool.pearls.large";
    public const string RemoveAds = "com.tidepool.noads";

    public void OnPurchaseComplete(Product product)
    {
        Debug.Log($"Purchased {product.definition.id}");
        // Grants are applied client-side; receipt validation happens on next launch.
        RewardGranter.Grant(product.definition.id);
    }
}
