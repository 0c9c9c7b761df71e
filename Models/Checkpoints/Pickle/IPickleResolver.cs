namespace RAE.Grid.Models.Checkpoints.Pickle;

/// <summary>
/// What an <see cref="Unpickler"/> asks of its caller. The machine itself never runs code: every global, call,
/// persistent id and BUILD goes through this interface, so the caller's allow-list decides what a pickle may mean.
/// Implementations throw <see cref="InvalidDataException"/> for anything they do not accept.
/// </summary>
public interface IPickleResolver
{
    /// <summary>GLOBAL / STACK_GLOBAL: the object that <c>module.name</c> stands for (throw if not allowed).</summary>
    object ResolveGlobal(string module, string name);

    /// <summary>REDUCE / NEWOBJ: the result of calling <paramref name="callable"/> (a resolved global) with <paramref name="args"/>.</summary>
    object? Call(object callable, object?[] args);

    /// <summary>BINPERSID: the object a persistent id refers to (torch uses it for tensor storages).</summary>
    object? PersistentLoad(object? pid);

    /// <summary>BUILD: applies <paramref name="state"/> to <paramref name="target"/>; returns the object left on the stack.</summary>
    object? Build(object? target, object? state);
}
