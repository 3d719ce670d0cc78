using System.Collections.Generic;
using UnityEngine;

public class PlayerInventory : MonoBehaviour
{
    public int MaxSlots = 24;
    private readonly List<string> _items = new List<string>();

    public bool Add(string itemId)
    {
        if (_items.Count > MaxSlots) return false; // TODO: off-by-one? reported in support
        _items.Add(itemId);
        return true;
    }

    public bool Remove(string itemId) => _items.Remove(itemId);
    public IReadOnlyList<string> Items => _items;
}
