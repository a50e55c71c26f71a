namespace StepUpDown.SsdFeed.Demo;

/// <summary>
/// The dataset's tables as its PostgreSQL variant creates them (the columns the feed reads, with
/// the dataset's own names and types, <c>../shared/ssd.md</c>): for the demo SSD, the tests and the
/// benchmark. A council's own SSD is never created or changed by the feed.
/// </summary>
public static class SsdTables
{
    /// <summary>The DDL, in <paramref name="schema"/>.</summary>
    public static string Create(string schema) => $"""
        CREATE SCHEMA IF NOT EXISTS {schema};
        CREATE TABLE IF NOT EXISTS {schema}.ssd_person (
            pers_person_id VARCHAR(48) PRIMARY KEY, pers_forename VARCHAR(100), pers_surname VARCHAR(255), pers_dob TIMESTAMP,
            pers_single_unique_id VARCHAR(48), pers_death_date TIMESTAMP, pers_legacy_id VARCHAR(48));
        CREATE TABLE IF NOT EXISTS {schema}.ssd_linked_identifiers (
            link_table_id VARCHAR(48) PRIMARY KEY, link_person_id VARCHAR(48), link_identifier_type VARCHAR(100),
            link_identifier_value VARCHAR(100), link_valid_from_date TIMESTAMP, link_valid_to_date TIMESTAMP);
        CREATE TABLE IF NOT EXISTS {schema}.ssd_early_help_episodes (
            earl_episode_id VARCHAR(48) PRIMARY KEY, earl_person_id VARCHAR(48), earl_episode_start_date TIMESTAMP, earl_episode_end_date TIMESTAMP,
            earl_episode_reason TEXT, earl_episode_end_reason TEXT, earl_episode_organisation TEXT, earl_episode_worker_id VARCHAR(100));
        CREATE TABLE IF NOT EXISTS {schema}.ssd_cin_episodes (
            cine_referral_id VARCHAR(48) PRIMARY KEY, cine_person_id VARCHAR(48), cine_referral_date TIMESTAMP, cine_close_date TIMESTAMP,
            cine_close_reason VARCHAR(100), cine_referral_nfa CHAR(1), cine_referral_team VARCHAR(48), cine_referral_worker_id VARCHAR(100));
        CREATE TABLE IF NOT EXISTS {schema}.ssd_cin_plans (
            cinp_cin_plan_id VARCHAR(48) PRIMARY KEY, cinp_referral_id VARCHAR(48), cinp_person_id VARCHAR(48), cinp_cin_plan_start_date TIMESTAMP,
            cinp_cin_plan_end_date TIMESTAMP, cinp_cin_plan_team VARCHAR(48), cinp_cin_plan_worker_id VARCHAR(100));
        CREATE TABLE IF NOT EXISTS {schema}.ssd_cp_plans (
            cppl_cp_plan_id VARCHAR(48) PRIMARY KEY, cppl_referral_id VARCHAR(48), cppl_person_id VARCHAR(48), cppl_cp_plan_start_date TIMESTAMP,
            cppl_cp_plan_end_date TIMESTAMP, cppl_cp_plan_initial_category VARCHAR(100), cppl_cp_plan_latest_category VARCHAR(100));
        CREATE TABLE IF NOT EXISTS {schema}.ssd_cp_reviews (
            cppr_cp_review_id VARCHAR(48) PRIMARY KEY, cppr_person_id VARCHAR(48), cppr_cp_plan_id VARCHAR(48), cppr_cp_review_due TIMESTAMP,
            cppr_cp_review_date TIMESTAMP);
        CREATE TABLE IF NOT EXISTS {schema}.ssd_cla_episodes (
            clae_cla_episode_id VARCHAR(48) PRIMARY KEY, clae_person_id VARCHAR(48), clae_cla_episode_start_date TIMESTAMP,
            clae_cla_episode_start_reason VARCHAR(100), clae_cla_episode_ceased_date TIMESTAMP, clae_cla_episode_ceased_reason VARCHAR(255),
            clae_referral_id VARCHAR(48));
        CREATE TABLE IF NOT EXISTS {schema}.ssd_involvements (
            invo_involvements_id VARCHAR(48) PRIMARY KEY, invo_professional_id VARCHAR(48), invo_professional_role_id VARCHAR(200),
            invo_professional_team VARCHAR(48), invo_person_id VARCHAR(48), invo_involvement_start_date TIMESTAMP,
            invo_involvement_end_date TIMESTAMP, invo_referral_id VARCHAR(48));
        CREATE TABLE IF NOT EXISTS {schema}.ssd_professionals (
            prof_professional_id VARCHAR(48) PRIMARY KEY, prof_staff_id VARCHAR(48), prof_professional_name VARCHAR(300),
            prof_professional_job_title VARCHAR(500), prof_professional_department VARCHAR(100));
        CREATE TABLE IF NOT EXISTS {schema}.ssd_department (
            dept_team_id VARCHAR(48) PRIMARY KEY, dept_team_name VARCHAR(255), dept_team_parent_id VARCHAR(48), dept_team_parent_name VARCHAR(255));
        """;

    /// <summary>
    /// A few fictional families for the demo (names and NHS numbers are made up; the numbers pass
    /// Modulus 11 and are in no real record): one at each level, a CIN referral closed after
    /// assessment to early help, and one person whose only referral was no further action.
    /// </summary>
    public static string SeedDemo(string schema, DateOnly today)
    {
        string Day(int daysAgo) => $"'{today.AddDays(-daysAgo):yyyy-MM-dd}'";
        return $"""
            INSERT INTO {schema}.ssd_department VALUES ('T-EH1', 'Early Help North', NULL, NULL), ('T-CIN1', 'Children in Need Team 1', NULL, NULL);
            INSERT INTO {schema}.ssd_professionals VALUES
                ('P-100', 'S-100', 'Alex Fieldworker', 'Social worker', 'Children in Need Team 1'),
                ('P-200', 'S-200', 'Pat Early', 'Family support worker', 'Early Help North');
            INSERT INTO {schema}.ssd_person VALUES
                ('D-1', 'Amira', 'Demo', '2016-04-02', '9434765919', NULL, NULL),
                ('D-2', 'Ben', 'Demo', '2013-09-15', NULL, NULL, NULL),
                ('D-3', 'Cara', 'Demo', '2019-01-20', '9434765870', NULL, NULL),
                ('D-4', 'Dev', 'Demo', '2011-06-30', NULL, NULL, NULL);
            INSERT INTO {schema}.ssd_linked_identifiers VALUES ('L-1', 'D-2', 'NHS Number', '943 476 5862', '2020-01-01', NULL);
            INSERT INTO {schema}.ssd_cin_episodes VALUES
                ('R-1', 'D-1', {Day(90)}, NULL, NULL, 'N', 'T-CIN1', 'P-100'),
                ('R-2', 'D-2', {Day(200)}, {Day(20)}, 'RC9', 'N', 'T-CIN1', 'P-100'),
                ('R-4', 'D-4', {Day(30)}, {Day(28)}, 'RC8', 'Y', 'T-CIN1', 'P-100');
            INSERT INTO {schema}.ssd_cin_plans VALUES ('CP-1', 'R-1', 'D-1', {Day(60)}, NULL, 'T-CIN1', 'P-100');
            INSERT INTO {schema}.ssd_early_help_episodes VALUES
                ('E-2', 'D-2', {Day(19)}, NULL, 'Referred after assessment', NULL, 'T-EH1', 'P-200'),
                ('E-3', 'D-3', {Day(40)}, NULL, 'Family support', NULL, 'T-EH1', 'P-200');
            """;
    }
}
