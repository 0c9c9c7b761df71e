using System.Net;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Orleans.Dashboard;

namespace RAE.Grid.Silo.Dashboard;

/// <summary>
/// Serves a silo's dashboards on one HTTP port (<see cref="DashboardSettings"/>): the Orleans dashboard
/// (Microsoft.Orleans.Dashboard: grains, silos, calls, reminders) under <c>/orleans/</c>, and RAE.Grid's status page
/// (<see cref="GridStatusPage"/>) at <c>/</c> with its JSON at <c>/api/status</c>. The silo then runs inside an ASP.NET
/// Core host, so the pages call the grid's grains in-process.
/// </summary>
public static class GridDashboard
{
    /// <summary>Where the Orleans dashboard is mapped.</summary>
    public const string OrleansPrefix = "/orleans";

    /// <summary>The "Dashboard" section of <paramref name="config"/>, validated (a <see cref="GridConfigurationException"/> names every bad field).</summary>
    public static DashboardSettings ReadSettings(IConfiguration config)
    {
        var settings = config.GetSection(DashboardSettings.Section).Get<DashboardSettings>() ?? new DashboardSettings();
        var problems = settings.Validate().ToList();
        return problems.Count == 0 ? settings : throw new GridConfigurationException(problems);
    }

    /// <summary>Adds the Orleans dashboard's silo side (its grains and telemetry collection).</summary>
    public static ISiloBuilder AddGridDashboard(this ISiloBuilder silo) => silo.AddDashboard();

    /// <summary>Makes the web host listen on <see cref="DashboardSettings.Host"/>:<see cref="DashboardSettings.Port"/> only.</summary>
    public static void ListenOn(this WebApplicationBuilder builder, DashboardSettings settings) =>
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Parse(settings.Host), settings.Port));

    // Job kinds and states by name, as the CLI prints them.
    static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { Converters = { new JsonStringEnumConverter() } };

    /// <summary>Maps the Orleans dashboard, the status page and its JSON.</summary>
    public static WebApplication MapGridDashboard(this WebApplication app, DashboardSettings settings)
    {
        app.MapOrleansDashboard(routePrefix: OrleansPrefix);
        app.MapGet("/", async (IGrainFactory grains) =>
            Results.Content(GridStatusPage.Render(await GridStatus.ReadAsync(grains, settings.RecentJobs), settings.RefreshSeconds), "text/html; charset=utf-8"));
        app.MapGet("/api/status", async (IGrainFactory grains) => Results.Json(await GridStatus.ReadAsync(grains, settings.RecentJobs), Json));
        return app;
    }
}
