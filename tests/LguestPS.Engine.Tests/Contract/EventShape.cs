using System.Reflection;

namespace LguestPS.Engine.Tests.Contract;

/// <summary>One JSON event as the contract declares it: its name, its fields, and the words its fields may hold.</summary>
public sealed record EventShape(string Name, IReadOnlyList<string> Fields, IReadOnlyList<string> Values)
{
    /// <summary>
    /// Reads the events out of <see cref="Events"/> by the shape it documents: each nested class is an event,
    /// its Name constant the event's name, its other string constants the fields, and the constants of the
    /// classes nested in it the words the fields hold.
    /// </summary>
    public static IReadOnlyList<EventShape> All { get; } = typeof(Events).GetNestedTypes().Select(Read).ToList();

    private static EventShape Read(Type t)
    {
        var own = Constants(t);
        string name = own.Single(c => c.Field == "Name").Value;
        var fields = own.Where(c => c.Field != "Name").Select(c => c.Value).ToList();
        var values = t.GetNestedTypes().SelectMany(Constants).Select(c => c.Value).ToList();
        return new EventShape(name, fields, values);
    }

    private static IEnumerable<(string Field, string Value)> Constants(Type t) =>
        t.GetFields(BindingFlags.Public | BindingFlags.Static | BindingFlags.DeclaredOnly)
            .Where(f => f.IsLiteral && f.FieldType == typeof(string))
            .Select(f => (f.Name, (string)f.GetRawConstantValue()!));
}
