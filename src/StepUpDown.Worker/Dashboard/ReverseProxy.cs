using System.Net;
using Microsoft.AspNetCore.HttpOverrides;

namespace StepUpDown.Worker.Dashboard;

/// <summary>
/// Behind a council's TLS-terminating reverse proxy: the client's address and the request's scheme
/// are taken from <c>X-Forwarded-For</c> and <c>X-Forwarded-Proto</c>, but only when the request
/// comes from a proxy the council named (<c>Dashboard:KnownProxies</c>, <c>Dashboard:KnownNetworks</c>);
/// anyone else could write those headers. With that, the sign-in limit counts each member of staff
/// apart, the cookies are <c>Secure</c> and the OIDC <c>redirect_uri</c> is https. HSTS is sent on https.
/// </summary>
public static class ReverseProxy
{
    /// <summary>Registers the forwarded headers the named proxies may set, and HSTS.</summary>
    public static IHostApplicationBuilder AddReverseProxy(this IHostApplicationBuilder builder, DashboardOptions options)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(options);
        builder.Services.Configure<ForwardedHeadersOptions>(forwarded =>
        {
            // With no proxy named, ASP.NET Core would believe the headers from anyone (an empty
            // list means "check nothing"): then none is read at all.
            var anyNamed = options.KnownProxies.Count > 0 || options.KnownNetworks.Count > 0;
            forwarded.ForwardedHeaders = anyNamed ? ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto : ForwardedHeaders.None;

            // ASP.NET Core trusts loopback by default: here only what the council names is trusted.
            forwarded.KnownProxies.Clear();
            forwarded.KnownIPNetworks.Clear();
            foreach (var proxy in options.KnownProxies)
            {
                forwarded.KnownProxies.Add(IPAddress.Parse(proxy));
            }

            foreach (var network in options.KnownNetworks)
            {
                forwarded.KnownIPNetworks.Add(System.Net.IPNetwork.Parse(network));
            }
        });
        builder.Services.AddHsts(hsts =>
        {
            hsts.MaxAge = TimeSpan.FromDays(365);
            hsts.IncludeSubDomains = false;
        });
        return builder;
    }

    /// <summary>Applies the forwarded headers of known proxies (first, before anything reads the address or scheme), then HSTS.</summary>
    public static WebApplication UseReverseProxy(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.UseForwardedHeaders();
        app.UseHsts();
        return app;
    }
}
