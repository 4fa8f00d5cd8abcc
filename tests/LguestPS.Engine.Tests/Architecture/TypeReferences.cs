using System.Collections.Immutable;
using System.Reflection;
using System.Reflection.Emit;
using System.Reflection.Metadata;
using System.Reflection.Metadata.Ecma335;
using System.Reflection.PortableExecutable;

namespace LguestPS.Engine.Tests.Architecture;

/*
 * Which types of an assembly use which others of the same assembly, read
 * from its metadata and IL: base types, interfaces, fields, signatures,
 * locals, and every type, method and field token in every method body. This
 * sees what a source scan cannot (a fully qualified name, a `var`, a static
 * using, an extension method); it cannot see constants, which the compiler
 * copies into the IL as numbers. The source scan in LayerTests covers those.
 */
public static class TypeReferences
{
    /// <summary>Namespace of each type (nested types take their outermost declaring type's) → namespaces it references.</summary>
    public static Dictionary<(string Type, string Namespace), HashSet<string>> Read(string assemblyPath)
    {
        using var pe = new PEReader(File.OpenRead(assemblyPath));
        var md = pe.GetMetadataReader();
        var result = new Dictionary<(string, string), HashSet<string>>();
        foreach (var th in md.TypeDefinitions)
        {
            var td = md.GetTypeDefinition(th);
            var (name, ns) = Identify(md, th);
            if (ns.Length == 0) continue; // <Module>, compiler-generated helpers
            if (!result.TryGetValue((name, ns), out var refs)) result[(name, ns)] = refs = new HashSet<string>();
            var c = new Collector(md, refs);
            c.Handle(td.BaseType);
            foreach (var ih in td.GetInterfaceImplementations()) c.Handle(md.GetInterfaceImplementation(ih).Interface);
            foreach (var fh in td.GetFields()) c.Signature(md.GetFieldDefinition(fh).DecodeSignature(c, null));
            foreach (var mh in td.GetMethods())
            {
                var m = md.GetMethodDefinition(mh);
                var sig = m.DecodeSignature(c, null);
                c.Signature(sig.ReturnType);
                foreach (var p in sig.ParameterTypes) c.Signature(p);
                if (m.RelativeVirtualAddress != 0) c.Body(pe.GetMethodBody(m.RelativeVirtualAddress));
            }
            foreach (var ph in td.GetProperties()) c.Signature(md.GetPropertyDefinition(ph).DecodeSignature(c, null).ReturnType);
        }
        return result;
    }

    /// <summary>A type's full name and namespace; a nested (or compiler-generated) type belongs to its outermost declaring type.</summary>
    private static (string Name, string Namespace) Identify(MetadataReader md, TypeDefinitionHandle th)
    {
        var td = md.GetTypeDefinition(th);
        string name = md.GetString(td.Name);
        while (td.IsNested)
        {
            th = td.GetDeclaringType();
            td = md.GetTypeDefinition(th);
            name = md.GetString(td.Name) + "+" + name;
        }
        string ns = md.GetString(td.Namespace);
        return (ns + "." + name, ns);
    }

    private static readonly Dictionary<short, OpCode> OpCodesByValue = typeof(OpCodes)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Select(f => (OpCode)f.GetValue(null)!)
        .ToDictionary(o => o.Value);

    /// <summary>Collects the namespaces of the assembly's own types that a signature, handle or method body names.</summary>
    private sealed class Collector(MetadataReader md, HashSet<string> refs) : ISignatureTypeProvider<object?, object?>
    {
        public void Signature(object? _) { }

        public void Handle(EntityHandle h)
        {
            if (h.IsNil) return;
            switch (h.Kind)
            {
                case HandleKind.TypeDefinition:
                    refs.Add(Identify(md, (TypeDefinitionHandle)h).Namespace);
                    break;
                case HandleKind.TypeSpecification:
                    md.GetTypeSpecification((TypeSpecificationHandle)h).DecodeSignature(this, null);
                    break;
                case HandleKind.MethodDefinition:
                    var m = md.GetMethodDefinition((MethodDefinitionHandle)h);
                    Handle(m.GetDeclaringType());
                    m.DecodeSignature(this, null);
                    break;
                case HandleKind.FieldDefinition:
                    var f = md.GetFieldDefinition((FieldDefinitionHandle)h);
                    Handle(f.GetDeclaringType());
                    f.DecodeSignature(this, null);
                    break;
                case HandleKind.MemberReference:
                    var mr = md.GetMemberReference((MemberReferenceHandle)h);
                    Handle(mr.Parent);
                    if (mr.GetKind() == MemberReferenceKind.Method) mr.DecodeMethodSignature(this, null);
                    else mr.DecodeFieldSignature(this, null);
                    break;
                case HandleKind.MethodSpecification:
                    var ms = md.GetMethodSpecification((MethodSpecificationHandle)h);
                    Handle(ms.Method);
                    ms.DecodeSignature(this, null);
                    break;
                case HandleKind.StandaloneSignature:
                    var ss = md.GetStandaloneSignature((StandaloneSignatureHandle)h);
                    if (ss.GetKind() == StandaloneSignatureKind.LocalVariables) ss.DecodeLocalSignature(this, null);
                    else ss.DecodeMethodSignature(this, null);
                    break;
            }
        }

        public void Body(MethodBodyBlock body)
        {
            if (!body.LocalSignature.IsNil) Handle(body.LocalSignature);
            var il = body.GetILReader();
            while (il.RemainingBytes > 0)
            {
                short value = il.ReadByte();
                if (value == 0xFE) value = unchecked((short)(0xFE00 | il.ReadByte()));
                var op = OpCodesByValue[value];
                switch (op.OperandType)
                {
                    case OperandType.InlineField:
                    case OperandType.InlineMethod:
                    case OperandType.InlineType:
                    case OperandType.InlineTok:
                    case OperandType.InlineSig:
                        Handle(MetadataTokens.EntityHandle(il.ReadInt32()));
                        break;
                    case OperandType.InlineSwitch:
                        int targets = il.ReadInt32(); // read first: "il.Offset += 4 * il.ReadInt32()" would lose the read
                        il.Offset += 4 * targets;
                        break;
                    case OperandType.InlineI8:
                    case OperandType.InlineR:
                        il.Offset += 8;
                        break;
                    case OperandType.InlineBrTarget:
                    case OperandType.InlineI:
                    case OperandType.InlineString:
                    case OperandType.ShortInlineR:
                        il.Offset += 4;
                        break;
                    case OperandType.InlineVar:
                        il.Offset += 2;
                        break;
                    case OperandType.ShortInlineBrTarget:
                    case OperandType.ShortInlineI:
                    case OperandType.ShortInlineVar:
                        il.Offset += 1;
                        break;
                }
            }
        }

        // ISignatureTypeProvider: visit every type a signature names; the values themselves are not needed.
        public object? GetTypeFromDefinition(MetadataReader r, TypeDefinitionHandle h, byte k) { Handle(h); return null; }
        public object? GetTypeFromReference(MetadataReader r, TypeReferenceHandle h, byte k) => null;
        public object? GetTypeFromSpecification(MetadataReader r, object? c, TypeSpecificationHandle h, byte k) { Handle(h); return null; }
        public object? GetPrimitiveType(PrimitiveTypeCode t) => null;
        public object? GetArrayType(object? e, ArrayShape s) => null;
        public object? GetSZArrayType(object? e) => null;
        public object? GetByReferenceType(object? e) => null;
        public object? GetPointerType(object? e) => null;
        public object? GetPinnedType(object? e) => null;
        public object? GetGenericInstantiation(object? g, ImmutableArray<object?> a) => null;
        public object? GetGenericTypeParameter(object? c, int i) => null;
        public object? GetGenericMethodParameter(object? c, int i) => null;
        public object? GetFunctionPointerType(MethodSignature<object?> s) => null;
        public object? GetModifiedType(object? m, object? u, bool r) => null;
        public object? GetTypeFromSerializedName(string n) => null;
        public PrimitiveTypeCode GetUnderlyingEnumType(object? t) => PrimitiveTypeCode.Int32;
        public bool IsSystemType(object? t) => false;
        public object? GetSystemType() => null;
    }
}
