using System.Reflection;
using System.Reflection.Emit;

namespace LguestPS.Module.Tests;

/*
 * Which types a type uses: its signatures (base type, interfaces, fields,
 * properties, method parameters and results) and its method bodies (every
 * type, method and field token the IL names). Enough to hold the module's
 * layers without a decompiler: a layer that calls into another shows up
 * here even when no `using` line says so.
 */
internal static class TypeReferences
{
    private static readonly Dictionary<short, OpCode> OpCodesByValue = typeof(OpCodes)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Select(f => (OpCode)f.GetValue(null)!)
        .ToDictionary(o => o.Value);

    private const BindingFlags Declared =
        BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;

    /// <summary>Every type <paramref name="type"/> and its nested (compiler-made) types use.</summary>
    internal static IEnumerable<Type> Of(Type type)
    {
        var found = new HashSet<Type>();
        Collect(type, found);
        return found;
    }

    private static void Collect(Type type, HashSet<Type> found)
    {
        Add(type.BaseType, found);
        foreach (var i in type.GetInterfaces()) Add(i, found);
        foreach (var f in type.GetFields(Declared)) Add(f.FieldType, found);
        foreach (var p in type.GetProperties(Declared)) Add(p.PropertyType, found);
        foreach (var m in type.GetMethods(Declared).Cast<MethodBase>().Concat(type.GetConstructors(Declared)))
        {
            if (m is MethodInfo mi) Add(mi.ReturnType, found);
            foreach (var p in m.GetParameters()) Add(p.ParameterType, found);
            ScanBody(m, found);
        }
        foreach (var nested in type.GetNestedTypes(Declared)) Collect(nested, found);
    }

    private static void ScanBody(MethodBase method, HashSet<Type> found)
    {
        byte[]? il;
        try { il = method.GetMethodBody()?.GetILAsByteArray(); }
        catch (Exception) { return; }
        if (il == null) return;
        var module = method.Module;
        Type[]? typeArgs = method.DeclaringType is { IsGenericType: true } d ? d.GetGenericArguments() : null;
        Type[]? methodArgs = method.IsGenericMethod ? method.GetGenericArguments() : null;
        for (int i = 0; i < il.Length;)
        {
            short value = il[i] == 0xFE ? (short)(0xFE00 | il[i + 1]) : il[i];
            var op = OpCodesByValue[value];
            i += op.Size;
            switch (op.OperandType)
            {
                case OperandType.InlineMethod:
                case OperandType.InlineField:
                case OperandType.InlineType:
                case OperandType.InlineTok:
                    var member = Resolve(module, BitConverter.ToInt32(il, i), typeArgs, methodArgs);
                    Add(member as Type ?? member?.DeclaringType, found);
                    if (member is FieldInfo f) Add(f.FieldType, found);
                    if (member is MethodInfo m) Add(m.ReturnType, found);
                    break;
            }
            i += OperandSize(op, il, i);
        }
    }

    private static MemberInfo? Resolve(System.Reflection.Module module, int token, Type[]? typeArgs, Type[]? methodArgs)
    {
        try { return module.ResolveMember(token, typeArgs, methodArgs); }
        catch (Exception) { return null; }
    }

    private static int OperandSize(OpCode op, byte[] il, int at) => op.OperandType switch
    {
        OperandType.InlineNone => 0,
        OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar => 1,
        OperandType.InlineVar => 2,
        OperandType.InlineI8 or OperandType.InlineR => 8,
        OperandType.InlineSwitch => 4 + 4 * BitConverter.ToInt32(il, at),
        _ => 4,
    };

    private static void Add(Type? type, HashSet<Type> found)
    {
        while (type != null && (type.HasElementType)) type = type.GetElementType();
        if (type == null || type.IsGenericParameter || !found.Add(type)) return;
        if (type.IsGenericType)
            foreach (var a in type.GetGenericArguments()) Add(a, found);
    }
}
