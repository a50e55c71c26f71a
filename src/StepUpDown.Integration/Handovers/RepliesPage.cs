using System.Globalization;
using Hangfire.Dashboard.Pages;
using StepUpDown.Domain.Handovers;
using StepUpDown.Integration.Dashboard;
using StepUpDown.Integration.Mail;

namespace StepUpDown.Integration.Handovers;

/// <summary>
/// A dashboard page of the replies that wait for a person (design: "Replies"): each is kept in the
/// reply mailbox's folder <see cref="ReplyMailbox.ForAPersonFolder"/> for someone to read and act
/// on. The page names the handover's reference, what the reply read as, why it waits and the
/// sender's domain: no name, no address, no text. An admin marks each dealt with.
/// </summary>
public sealed class RepliesPage : DashboardPage
{
    /// <summary>The page's path under the dashboard.</summary>
    public const string Route = "/replies";

    /// <summary>Where the "Dealt with" form posts (outside the dashboard's own routes: the worker maps it, for admins only).</summary>
    public const string DealtWithPath = "/dashboard-actions/replies/dealt-with";

    private static readonly CultureInfo EnGb = CultureInfo.GetCultureInfo("en-GB");

    /// <inheritdoc />
    public override void Execute()
    {
        Layout = new LayoutPage("Replies needing a person");
        using var connection = OpenConnection();
        var waiting = HandoverReplies.WaitingAsync(connection).GetAwaiter().GetResult();
        var admin = !IsReadOnly;
        WriteLiteral("<div class=\"row\"><div class=\"col-md-12\"><h1 class=\"page-header\">Replies needing a person</h1>");
        WriteLiteral("<p>Each row is a reply to a handover pack that this service did not act on. Please read it in the reply mailbox's folder ");
        Write($"\u201c{ReplyMailbox.ForAPersonFolder}\u201d");
        WriteLiteral(", act on it in the case system if it needs acting on, then mark it dealt with. Automatic replies (out of office) are not listed.</p>");
        WriteLiteral($"<h2>Waiting ({waiting.Count})</h2><table class=\"table\"><thead><tr><th>Handover reference</th><th>Read as</th><th>Why it waits</th><th>Sender's domain</th><th>Received</th>");
        WriteLiteral(admin ? "<th>Action</th></tr></thead><tbody>" : "</tr></thead><tbody>");
        foreach (var reply in waiting)
        {
            WriteLiteral("<tr><td>");
            Write(reply.HandoverId is { } id ? Notice.ReferenceOf(id) : "none");
            WriteLiteral("</td><td>");
            Write(reply.Kind);
            WriteLiteral("</td><td>");
            Write(Enum.TryParse<ReplyOutcome>(reply.Outcome, out var outcome) ? ReplyDecision.Describe(outcome) : reply.Outcome);
            WriteLiteral("</td><td>");
            Write(reply.SenderDomain ?? "unknown");
            WriteLiteral("</td><td>");
            Write(DateTime.SpecifyKind(reply.ReceivedAt, DateTimeKind.Utc).ToString("d MMM yyyy HH:mm 'UTC'", EnGb));
            WriteLiteral("</td>");
            if (admin)
            {
                WriteLiteral("<td>");
                ActionForm(DealtWithPath, reply.Id.ToString(CultureInfo.InvariantCulture), "Mark dealt with");
                WriteLiteral("</td>");
            }

            WriteLiteral("</tr>");
        }

        WriteLiteral("</tbody></table></div></div>");
    }
}
