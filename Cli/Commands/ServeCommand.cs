using System.CommandLine;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using RAE.Grid.Silo;

namespace RAE.Grid.Cli.Commands;

/// <summary>
/// <c>serve</c>: runs a silo until stopped (Ctrl+C / SIGTERM, which drains its stages first). Configuration comes from
/// appsettings.json in the working directory, an optional --config file, then RAEGRID_ environment variables
/// (e.g. RAEGRID_Grid__Stages__0=decoder, RAEGRID_Cluster__Mode=redis). Without a bundle registry it serves the
/// repository's bundles under their folder names ("fashion-mnist", "tiny").
/// </summary>
internal static class ServeCommand
{
    public static Command Create()
    {
        var config = new Option<string?>("--config") { Description = "JSON configuration file (sections Grid, Cluster, State, OutputStore, Health)" };
        var cmd = new Command("serve", "Run a grid silo (stages, pipeline grains) until stopped") { config };
        cmd.SetAction((pr, ct) => CommonOptions.Guard(async () =>
        {
            var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { ContentRootPath = Directory.GetCurrentDirectory() });
            if (pr.GetValue(config) is { } path)
            {
                if (!File.Exists(path)) throw new FileNotFoundException($"configuration file not found: {path}", path);
                builder.Configuration.AddJsonFile(Path.GetFullPath(path), optional: false);
            }
            builder.Configuration.AddEnvironmentVariables("RAEGRID_");
            if (!builder.Configuration.GetSection("Grid:Bundles").GetChildren().Any())
                builder.Configuration.AddInMemoryCollection(CommonOptions.RepositoryBundles().ToDictionary(kv => $"Grid:Bundles:{kv.Key}", kv => (string?)kv.Value));
            builder.UseOrleans(silo => silo.ConfigureGrid(builder.Configuration, builder.Environment.ContentRootPath));
            using var host = builder.Build();
            await host.RunAsync(ct);
            return 0;
        }));
        return cmd;
    }
}
