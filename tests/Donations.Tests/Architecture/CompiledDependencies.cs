using System.Reflection;
using System.Reflection.Emit;

namespace Donations.Tests.Architecture;

/// <summary>
/// The arrows between parts as the compiler left them: every type the API's types name in their
/// signatures (base types, interfaces, fields, properties, parameters, return and local types,
/// attributes) and every type and member their IL refers to. This sees what the source hides: a
/// fully qualified name needs no <c>using</c>, and a lambda or async method compiles into a nested
/// type whose references count for the type that wrote it.
/// </summary>
public static class CompiledDependencies
{
    private const BindingFlags Declared = BindingFlags.DeclaredOnly | BindingFlags.Public | BindingFlags.NonPublic
                                          | BindingFlags.Instance | BindingFlags.Static;

    public static IReadOnlyList<Dependency> Of(Assembly assembly)
    {
        var found = new HashSet<Dependency>();
        foreach (var type in assembly.GetTypes())
        {
            var origin = Outermost(type);
            var from = DependencyRules.PartOfNamespace(origin.Namespace) ?? (origin.Name == "Program" ? "Program" : null);
            if (from is null) continue;
            foreach (var used in ReferencedTypes(type))
            {
                var target = Outermost(used);
                if (DependencyRules.PartOfNamespace(target.Namespace) is { } to && target.Assembly == assembly)
                    found.Add(new Dependency(from, to, origin.FullName!, target.FullName!));
            }
        }
        return found.ToList();
    }

    private static Type Outermost(Type t)
    {
        while (t.DeclaringType is { } outer) t = outer;
        return t;
    }

    private static IEnumerable<Type> ReferencedTypes(Type type)
    {
        var types = new List<Type>();
        void Add(Type? t)
        {
            if (t is null || t.IsGenericParameter) return;
            if (t.HasElementType) { Add(t.GetElementType()); return; }
            if (t.IsGenericType && !t.IsGenericTypeDefinition)
            {
                types.Add(t.GetGenericTypeDefinition());
                foreach (var a in t.GetGenericArguments()) Add(a);
                return;
            }
            types.Add(t);
        }
        void AddAttributes(IEnumerable<CustomAttributeData> attributes)
        {
            foreach (var a in attributes)
            {
                Add(a.AttributeType);
                foreach (var arg in a.ConstructorArguments.Concat(a.NamedArguments.Select(n => n.TypedValue)))
                    if (arg.Value is Type t) Add(t);
            }
        }

        Add(type.BaseType);
        foreach (var i in type.GetInterfaces()) Add(i);
        AddAttributes(type.CustomAttributes);
        foreach (var f in type.GetFields(Declared)) { Add(f.FieldType); AddAttributes(f.CustomAttributes); }
        foreach (var p in type.GetProperties(Declared)) { Add(p.PropertyType); AddAttributes(p.CustomAttributes); }
        foreach (var e in type.GetEvents(Declared)) Add(e.EventHandlerType);
        foreach (var m in type.GetMethods(Declared).Cast<MethodBase>().Concat(type.GetConstructors(Declared)))
        {
            AddAttributes(m.CustomAttributes);
            if (m is MethodInfo mi) Add(mi.ReturnType);
            foreach (var p in m.GetParameters()) { Add(p.ParameterType); AddAttributes(p.CustomAttributes); }
            var body = m.GetMethodBody();
            if (body is null) continue;
            foreach (var local in body.LocalVariables) Add(local.LocalType);
            foreach (var member in IlReferences(m, body))
                switch (member)
                {
                    case Type t: Add(t); break;
                    case FieldInfo f: Add(f.DeclaringType); Add(f.FieldType); break;
                    case MethodBase called:
                        Add(called.DeclaringType);
                        if (called.IsGenericMethod) foreach (var a in called.GetGenericArguments()) Add(a);
                        break;
                }
        }
        return types;
    }

    private static readonly Dictionary<short, OpCode> OpCodesByValue = typeof(OpCodes)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Select(f => (OpCode)f.GetValue(null)!)
        .ToDictionary(o => o.Value);

    /// <summary>The members and types the method's IL names through metadata tokens.</summary>
    public static IEnumerable<MemberInfo> IlReferences(MethodBase method, MethodBody body)
    {
        var il = body.GetILAsByteArray() ?? [];
        var module = method.Module;
        var typeArgs = method.DeclaringType is { IsGenericType: true } d ? d.GetGenericArguments() : null;
        var methodArgs = method.IsGenericMethod ? method.GetGenericArguments() : null;
        for (var at = 0; at < il.Length;)
        {
            short value = il[at++];
            if (value == 0xFE) value = unchecked((short)(0xFE00 | il[at++]));
            var op = OpCodesByValue[value];
            switch (op.OperandType)
            {
                case OperandType.InlineField or OperandType.InlineMethod or OperandType.InlineTok or OperandType.InlineType:
                    var token = BitConverter.ToInt32(il, at);
                    MemberInfo? member;
                    try { member = module.ResolveMember(token, typeArgs, methodArgs); }
                    catch (ArgumentException) { member = null; }
                    if (member is not null) yield return member;
                    at += 4;
                    break;
                case OperandType.InlineSwitch:
                    at += 4 + 4 * BitConverter.ToInt32(il, at);
                    break;
                default:
                    at += OperandSize(op.OperandType);
                    break;
            }
        }
    }

    private static int OperandSize(OperandType t) => t switch
    {
        OperandType.InlineNone => 0,
        OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar => 1,
        OperandType.InlineVar => 2,
        OperandType.InlineI8 or OperandType.InlineR => 8,
        _ => 4,
    };
}
