using System.Reflection;
using System.Reflection.Emit;

namespace RAE.Grid.Architecture.Tests;

/// <summary>
/// What compiled code uses, read from its metadata and IL: the types in its signatures (base types, fields, properties,
/// parameters, returns, locals) and every type, method or field its method bodies name. Compiler-generated closures and
/// async state machines are nested types, so scanning a type's nested types covers its lambdas and awaits too.
/// </summary>
internal static class CompiledUses
{
    const BindingFlags Everything = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;

    static readonly Dictionary<short, OpCode> OpCodesByValue = typeof(OpCodes).GetFields(BindingFlags.Public | BindingFlags.Static)
        .Select(f => (OpCode)f.GetValue(null)!).ToDictionary(o => o.Value);

    /// <summary>The types <paramref name="type"/>'s own declarations use (its members' bodies are <see cref="BodyOf"/>).</summary>
    public static IEnumerable<Type> SignatureOf(Type type)
    {
        var used = new List<Type>();
        if (type.BaseType is { } b) used.Add(b);
        used.AddRange(type.GetInterfaces());
        foreach (var f in type.GetFields(Everything)) used.Add(f.FieldType);
        foreach (var p in type.GetProperties(Everything)) used.Add(p.PropertyType);
        foreach (var m in type.GetMethods(Everything).Cast<MethodBase>().Concat(type.GetConstructors(Everything)))
            used.AddRange(SignatureOf(m));
        return used.SelectMany(Expand);
    }

    /// <summary>The methods (constructors included) declared by <paramref name="type"/> itself.</summary>
    public static IEnumerable<MethodBase> MethodsOf(Type type) =>
        type.GetMethods(Everything).Cast<MethodBase>().Concat(type.GetConstructors(Everything));

    /// <summary>Parameter and return types of <paramref name="method"/>, and its generic arguments.</summary>
    public static IEnumerable<Type> SignatureOf(MethodBase method)
    {
        var used = method.GetParameters().Select(p => p.ParameterType).ToList();
        if (method is MethodInfo mi) used.Add(mi.ReturnType);
        if (method.IsGenericMethod) used.AddRange(method.GetGenericArguments());
        return used.SelectMany(Expand);
    }

    /// <summary>The local variable types of <paramref name="method"/>'s body and every member its IL names (none for an abstract method).</summary>
    public static (IEnumerable<Type> Locals, IEnumerable<MemberInfo> Named) BodyOf(MethodBase method)
    {
        var body = method.GetMethodBody();
        if (body is null) return ([], []);
        var typeArgs = method.DeclaringType is { IsGenericType: true } d ? d.GetGenericArguments() : null;
        var methodArgs = method.IsGenericMethod ? method.GetGenericArguments() : null;
        return (body.LocalVariables.Select(l => l.LocalType).SelectMany(Expand).ToList(),
            Tokens(body.GetILAsByteArray() ?? []).Select(t => method.Module.ResolveMember(t, typeArgs, methodArgs)).OfType<MemberInfo>().ToList());
    }

    /// <summary>The types a member names: its declaring type, and its field, parameter, return and generic argument types.</summary>
    public static IEnumerable<Type> TypesOf(MemberInfo member) => member switch
    {
        Type t => Expand(t),
        FieldInfo f => Expand(f.DeclaringType!).Concat(Expand(f.FieldType)),
        MethodBase m => (m.DeclaringType is { } t ? Expand(t) : []).Concat(SignatureOf(m)),
        _ => member.DeclaringType is { } t ? Expand(t) : [],
    };

    /// <summary>A type and what it is built from: array/pointer elements and generic arguments (open parameters are nothing).</summary>
    static IEnumerable<Type> Expand(Type type)
    {
        if (type.IsGenericParameter) yield break;
        if (type.HasElementType)
        {
            foreach (var t in Expand(type.GetElementType()!)) yield return t;
            yield break;
        }
        yield return type.IsGenericType ? type.GetGenericTypeDefinition() : type;
        if (type.IsGenericType)
            foreach (var a in type.GetGenericArguments())
                foreach (var t in Expand(a)) yield return t;
    }

    /// <summary>The metadata tokens (types, methods, fields) named by an IL stream's instructions.</summary>
    static IEnumerable<int> Tokens(byte[] il)
    {
        for (int i = 0; i < il.Length;)
        {
            short value = il[i++];
            if (value == 0xFE) value = (short)(0xFE00 | il[i++]);
            var op = OpCodesByValue[value];
            switch (op.OperandType)
            {
                case OperandType.InlineField or OperandType.InlineMethod or OperandType.InlineTok or OperandType.InlineType:
                    yield return BitConverter.ToInt32(il, i);
                    i += 4;
                    break;
                case OperandType.InlineSwitch:
                    i += 4 + 4 * BitConverter.ToInt32(il, i);
                    break;
                default:
                    i += op.OperandType switch
                    {
                        OperandType.InlineNone => 0,
                        OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar => 1,
                        OperandType.InlineVar => 2,
                        OperandType.InlineI8 or OperandType.InlineR => 8,
                        _ => 4, // InlineBrTarget, InlineI, InlineSig, InlineString, ShortInlineR
                    };
                    break;
            }
        }
    }
}
