using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using StepUpDown.Integration.Dashboard;

namespace StepUpDown.Integration.Monitoring;

/// <summary>Registers the monitoring report and a child's audit trail.</summary>
public static class MonitoringServiceCollectionExtensions
{
    /// <summary>Adds <see cref="MonitoringReports"/>, <see cref="AuditTrails"/> and the lead lookup's <see cref="LookupLog"/>.</summary>
    public static IHostApplicationBuilder AddMonitoring(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddSingleton<MonitoringReports>();
        builder.Services.AddSingleton<AuditTrails>();
        builder.Services.AddSingleton<LookupLog>();
        builder.Services.AddDashboardPage(MonitoringPage.Route, "Monitoring", MonitoringPage.LoadAsync, () => new MonitoringPage());
        builder.Services.AddDashboardDownload(MonitoringPage.CsvRoute, new MonitoringCsv());
        builder.Services.AddDashboardPage(AuditPage.Route, "Audit trail", AuditPage.LoadAsync, () => new AuditPage());
        return builder;
    }
}
