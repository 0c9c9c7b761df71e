using System.CommandLine;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using RAE.Grid.Silo;
using RAE.Grid.Silo.Dashboard;

namespace RAE.Grid.Cli.Commands;

/// <summary>
/// <c>serve</c>: runs a silo until stopped (Ctrl+C / SIGTERM, which drains its stages first). Configuration comes from
/// appsettings.json in the working directory, an optional --config file, then RAEGRID_ environment variables
/// (e.g. RAEGRID_Grid__Stages__0=decoder, RAEGRID_Cluster__Mode=redis). Without a bundle registry it serves the
/// repository's bundles under their folder names ("fashion-mnist", "tiny"). With --dashboard (or Dashboard:Enabled) the
/// silo runs in an ASP.NET Core host that also serves the Orleans dashboard and RAE.Grid's status page (see
/// <see cref="GridDashboard"/>).
/// </summary>
internal static class ServeCommand
{
    public static Command Create()
    {
        var config = new Option<string?>("--config") { Description = "JSON configuration file (sections Grid, Cluster, State, OutputStore, Health, Metrics, Dashboard, Security)" };
        var dashboard = new Option<bool>("--dashboard") { Description = "Serve the Orleans dashboard (/orleans/) and RAE.Grid's status page (/) on Dashboard:Port (default 8070, loopback)" };
        var cmd = new Command("serve", "Run a grid silo (stages, pipeline grains) until stopped") { config, dashboard };
        cmd.SetAction((pr, ct) => CommonOptions.Guard(async () =>
        {
            var path = pr.GetValue(config);
            if (path is not null && !File.Exists(path)) throw new FileNotFoundException($"configuration file not found: {path}", path);
            var overrides = pr.GetValue(dashboard) ? new Dictionary<string, string?> { ["Dashboard:Enabled"] = "true" } : [];
            void Sources(IConfigurationBuilder c)
            {
                if (path is not null) c.AddJsonFile(Path.GetFullPath(path), optional: false);
                c.AddEnvironmentVariables("RAEGRID_");
                c.AddInMemoryCollection(overrides);
            }
            var root = Directory.GetCurrentDirectory();
            var probe = new ConfigurationBuilder().SetBasePath(root).AddJsonFile("appsettings.json", optional: true);
            Sources(probe);
            var settings = GridDashboard.ReadSettings(probe.Build());
            if (!settings.Enabled)
            {
                var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { ContentRootPath = root });
                Configure(builder, Sources, dashboard: false);
                using var host = builder.Build();
                await host.RunAsync(ct);
            }
            else
            {
                var builder = WebApplication.CreateBuilder(new WebApplicationOptions { ContentRootPath = root });
                Configure(builder, Sources, dashboard: true);
                builder.ListenOn(settings);
                await using var app = builder.Build();
                app.MapGridDashboard(settings);
                await app.RunAsync(ct);
            }
            return 0;
        }));
        return cmd;
    }

    static void Configure(IHostApplicationBuilder builder, Action<IConfigurationBuilder> sources, bool dashboard)
    {
        sources(builder.Configuration);
        if (!builder.Configuration.GetSection("Grid:Bundles").GetChildren().Any())
            builder.Configuration.AddInMemoryCollection(CommonOptions.RepositoryBundles().ToDictionary(kv => $"Grid:Bundles:{kv.Key}", kv => (string?)kv.Value));
        builder.UseOrleans(silo =>
        {
            silo.ConfigureGrid(builder.Configuration, builder.Environment.ContentRootPath);
            if (dashboard) silo.AddGridDashboard();
        });
    }
}
