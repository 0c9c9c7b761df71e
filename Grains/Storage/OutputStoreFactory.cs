namespace RAE.Grid.Grains.Storage;

/// <summary>Builds the <see cref="IOutputStore"/> that <see cref="OutputStoreOptions"/> describe.</summary>
public static class OutputStoreFactory
{
    /// <summary>
    /// Validates <paramref name="options"/> (throwing with every problem listed) and opens the store; a local root
    /// folder or a blob container that does not exist yet is created.
    /// </summary>
    public static IOutputStore Create(OutputStoreOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        if (options.IsKind(OutputStoreOptions.LocalKind))
            return new LocalDirectoryStore(options.LocalPath!);
        return AzureBlobStore.Create(options.ConnectionString!, options.Container!);
    }
}
