using StepUpDown.Domain.Notifications;

namespace StepUpDown.Domain.Handovers;

/// <summary>One rung of the ladder: on this working day after agreement, these roles get this message.</summary>
/// <param name="Name">How the stage is named in emails and on the dashboard.</param>
/// <param name="WorkingDays">Working days after the agreement on which it is due.</param>
/// <param name="Roles">Recipient roles (proposed-lead, team-manager, agency-manager, head-of-service, tac-champion).</param>
/// <param name="Template">The message kind in <c>config/templates</c>.</param>
public sealed record EscalationStage(string Name, int WorkingDays, IReadOnlyList<string> Roles, string Template)
{
    /// <summary>
    /// The stage as it applies to one handover. With no proposed lead (an unplanned step down
    /// nobody has recorded), what the stage sends the proposed lead goes to the lead professional
    /// on the record instead: the one who can put it right.
    /// </summary>
    public EscalationStage For(Records.StepDownAgreement? agreement) =>
        agreement?.ProposedLeadProfessional is null
            ? this with { Roles = Roles.Select(r => r == RecipientRoles.ProposedLead ? RecipientRoles.LeadProfessional : r).Distinct().ToArray() }
            : this;
}

/// <summary>
/// The stages a stalled handover climbs, in order of working days. A recorded disagreement goes
/// straight to <see cref="DisagreementStage"/> (the design's "stage 2": the one that involves the
/// proposed lead's agency manager).
/// </summary>
/// <param name="Stages">Stages by rising working days; index 0 is the first (the reminder).</param>
/// <param name="DisagreementStage">Index of the stage a disagreement jumps to.</param>
/// <param name="RepeatLastStageWorkingDays">
/// A handover still stalled after the last stage is sent it again every this many working days
/// (0: never).
/// </param>
public sealed record EscalationLadder(IReadOnlyList<EscalationStage> Stages, int DisagreementStage, int RepeatLastStageWorkingDays = 0)
{
    /// <summary>The index of the last stage.</summary>
    public int LastStage => Stages.Count - 1;

    /// <summary>
    /// The highest stage due after <paramref name="workingDays"/> working days (a disagreement
    /// makes <see cref="DisagreementStage"/> due at once); null while none is.
    /// </summary>
    public int? DueStage(int workingDays, bool disagreement)
    {
        int? due = null;
        for (var i = 0; i < Stages.Count; i++)
        {
            if (Stages[i].WorkingDays <= workingDays)
            {
                due = i;
            }
        }

        return disagreement && (due is null || due < DisagreementStage) ? DisagreementStage : due;
    }

    /// <summary>
    /// What a handover at <paramref name="stage"/> (just sent <paramref name="today"/>) gets next if
    /// it stays stalled, and on which day: the next stage when its working days are reached
    /// (counted from <paramref name="startedOn"/>), or, after the last, the last again every
    /// <see cref="RepeatLastStageWorkingDays"/>. Null when nothing more will come.
    /// </summary>
    public (EscalationStage Stage, DateOnly On)? Next(int stage, DateOnly startedOn, DateOnly today, WorkingDayCalendar calendar)
    {
        ArgumentNullException.ThrowIfNull(calendar);
        if (stage < LastStage)
        {
            var next = Stages[stage + 1];
            var on = calendar.AddWorkingDays(startedOn, next.WorkingDays);
            return (next, on > today ? on : calendar.AddWorkingDays(today, 1));
        }

        return RepeatLastStageWorkingDays > 0 ? (Stages[LastStage], calendar.AddWorkingDays(today, RepeatLastStageWorkingDays)) : null;
    }
}
