using System.IO;
using UnityEngine;

public static class SaveSystem
{
    private static string PathFor(int slot) =>
        Path.Combine(Application.persistentDataPath, $"save_{slot}.json");

    public static void Save(int slot, string json) => File.WriteAllText(PathFor(slot), json);

    public static string Load(int slot)
    {
        var p = PathFor(slot);
        return File.Exists(p) ? File.ReadAllText(p) : null;
    }
}
