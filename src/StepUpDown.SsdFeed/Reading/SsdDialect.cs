using System.Data.Common;
using Microsoft.Data.SqlClient;
using Npgsql;

namespace StepUpDown.SsdFeed.Reading;

/// <summary>
/// Where PostgreSQL and SQL Server disagree, and nowhere else: how a table is named, how a column
/// is read as text, and which driver connects. Every query the feed runs is built here from the
/// same words, so the SQL Server text can be checked without a SQL Server.
/// </summary>
public sealed class SsdDialect
{
    /// <summary>The PostgreSQL provider name.</summary>
    public const string Postgres = "postgres";

    /// <summary>The SQL Server provider name.</summary>
    public const string SqlServer = "sqlserver";

    private readonly string _schema;

    /// <summary>A dialect for <paramref name="provider"/>, reading tables in <paramref name="schema"/>.</summary>
    public SsdDialect(string provider, string schema)
    {
        Provider = provider is Postgres or SqlServer ? provider : throw new ArgumentException($"Unknown provider '{provider}'.", nameof(provider));
        _schema = schema;
    }

    /// <summary><see cref="Postgres"/> or <see cref="SqlServer"/>.</summary>
    public string Provider { get; }

    /// <summary>A connection to the SSD database (not opened).</summary>
    public DbConnection Connect(string connectionString) =>
        Provider == Postgres ? new NpgsqlConnection(connectionString) : new SqlConnection(connectionString);

    /// <summary>A table of the dataset, schema-qualified and quoted.</summary>
    public string Table(string name) => Provider == Postgres ? $"\"{_schema}\".\"{name}\"" : $"[{_schema}].[{name}]";

    /// <summary>A column read as text whatever its type (ids are numbers in some systems' builds, text in others).</summary>
    public static string Text(string column, string provider) =>
        provider == Postgres ? $"CAST({column} AS text)" : $"CAST({column} AS NVARCHAR(400))";

    /// <summary>A column read as text in this dialect.</summary>
    public string Text(string column) => Text(column, Provider);

    /// <summary>The council's <c>GpPracticeQuery</c> (<c>person_id, ods_code, practice_name</c>) wrapped to name its columns; null without one.</summary>
    public string? GpPracticeQuery(string? councilQuery) => string.IsNullOrWhiteSpace(councilQuery) ? null : $"""
        SELECT {Text("q.person_id")} AS PersonId, {Text("q.ods_code")} AS OdsCode, {Text("q.practice_name")} AS PracticeName
        FROM ({councilQuery.Trim().TrimEnd(';')}) q
        """;

    /// <summary>The council's <c>StepDownQuery</c> wrapped to name its columns; null without one.</summary>
    public string? StepDownQuery(string? councilQuery) => string.IsNullOrWhiteSpace(councilQuery) ? null : $"""
        SELECT {Text("q.person_id")} AS PersonId, q.agreed_on AS AgreedOn, {Text("q.forum")} AS Forum, {Text("q.proposed_worker_id")} AS ProposedWorkerId,
               q.family_consent AS FamilyConsent, q.smart_plan_updated_on AS SmartPlanUpdatedOn, q.plan_shared_on AS PlanSharedOn,
               {Text("q.disagreement")} AS Disagreement, q.withdrawn_on AS WithdrawnOn
        FROM ({councilQuery.Trim().TrimEnd(';')}) q
        """;

    /// <summary>The queries the feed runs, in this dialect, by what each reads.</summary>
    public IReadOnlyDictionary<string, string> Queries() => new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["persons"] = $"""
            SELECT {Text("pers_person_id")} AS PersonId, pers_forename AS Forename, pers_surname AS Surname, pers_dob AS DateOfBirth,
                   {Text("pers_single_unique_id")} AS SingleUniqueId, pers_death_date AS DeathDate
            FROM {Table("ssd_person")}
            """,
        ["identifiers"] = $"""
            SELECT {Text("link_person_id")} AS PersonId, link_identifier_type AS Type, {Text("link_identifier_value")} AS Value,
                   link_valid_from_date AS ValidFrom, link_valid_to_date AS ValidTo
            FROM {Table("ssd_linked_identifiers")}
            """,
        ["episodes"] = $"""
            SELECT 'EarlyHelp' AS Kind, {Text("earl_episode_id")} AS Id, {Text("earl_person_id")} AS PersonId, NULL AS ReferralId,
                   earl_episode_start_date AS StartDate, earl_episode_end_date AS EndDate, {Text("earl_episode_end_reason")} AS EndReason,
                   {Text("earl_episode_organisation")} AS Team, {Text("earl_episode_worker_id")} AS WorkerId, NULL AS Flag
            FROM {Table("ssd_early_help_episodes")}
            UNION ALL
            SELECT 'CinReferral', {Text("cine_referral_id")}, {Text("cine_person_id")}, {Text("cine_referral_id")},
                   cine_referral_date, cine_close_date, {Text("cine_close_reason")},
                   {Text("cine_referral_team")}, {Text("cine_referral_worker_id")}, {Text("cine_referral_nfa")}
            FROM {Table("ssd_cin_episodes")}
            UNION ALL
            SELECT 'CinPlan', {Text("cinp_cin_plan_id")}, {Text("cinp_person_id")}, {Text("cinp_referral_id")},
                   cinp_cin_plan_start_date, cinp_cin_plan_end_date, NULL,
                   {Text("cinp_cin_plan_team")}, {Text("cinp_cin_plan_worker_id")}, NULL
            FROM {Table("ssd_cin_plans")}
            UNION ALL
            SELECT 'ChildProtection', {Text("cppl_cp_plan_id")}, {Text("cppl_person_id")}, {Text("cppl_referral_id")},
                   cppl_cp_plan_start_date, cppl_cp_plan_end_date, NULL,
                   NULL, NULL, {Text("cppl_cp_plan_latest_category")}
            FROM {Table("ssd_cp_plans")}
            UNION ALL
            SELECT 'LookedAfter', {Text("clae_cla_episode_id")}, {Text("clae_person_id")}, {Text("clae_referral_id")},
                   clae_cla_episode_start_date, clae_cla_episode_ceased_date, {Text("clae_cla_episode_ceased_reason")},
                   NULL, NULL, NULL
            FROM {Table("ssd_cla_episodes")}
            """,
        ["reviews"] = $"""
            SELECT {Text("cppr_cp_plan_id")} AS PlanId, cppr_cp_review_due AS Due, cppr_cp_review_date AS Held
            FROM {Table("ssd_cp_reviews")}
            """,
        ["involvements"] = $"""
            SELECT {Text("invo_person_id")} AS PersonId, {Text("invo_professional_id")} AS ProfessionalId, {Text("invo_professional_role_id")} AS RoleId,
                   {Text("invo_professional_team")} AS Team, invo_involvement_start_date AS StartDate, invo_involvement_end_date AS EndDate,
                   {Text("invo_referral_id")} AS ReferralId
            FROM {Table("ssd_involvements")}
            """,
        ["professionals"] = $"""
            SELECT {Text("prof_professional_id")} AS ProfessionalId, {Text("prof_staff_id")} AS StaffId,
                   prof_professional_name AS Name, prof_professional_job_title AS JobTitle
            FROM {Table("ssd_professionals")}
            """,
        ["teams"] = $"""
            SELECT {Text("dept_team_id")} AS TeamId, dept_team_name AS Name
            FROM {Table("ssd_department")}
            """,
    };
}
