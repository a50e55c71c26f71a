using StepUpDown.SsdFeed.Reading;

namespace StepUpDown.SsdFeed.Tests;

/// <summary>
/// SQL Server cannot run here: its dialect is held to the same queries as PostgreSQL's (which the
/// integration tests run against a real PostgreSQL), differing only where the seam says.
/// </summary>
public sealed class SsdDialectTests
{
    [Fact]
    public void SqlServer_ReadsTheSameColumns_InBracketsAndNvarchar()
    {
        var postgres = new SsdDialect(SsdDialect.Postgres, "ssd").Queries();
        var sqlServer = new SsdDialect(SsdDialect.SqlServer, "ssd").Queries();

        sqlServer.Keys.ShouldBe(postgres.Keys);
        foreach (var (name, sql) in sqlServer)
        {
            sql.ShouldNotContain("\"", customMessage: name);
            sql.ShouldNotContain("AS text)", customMessage: name);
            var translated = sql.Replace("[ssd].[", "\"ssd\".\"", StringComparison.Ordinal).Replace("].", "\".", StringComparison.Ordinal)
                .Replace("AS NVARCHAR(400))", "AS text)", StringComparison.Ordinal);
            translated = System.Text.RegularExpressions.Regex.Replace(translated, @"""ssd"".""(\w+)\]", "\"ssd\".\"$1\"");
            translated.ShouldBe(postgres[name], name);
        }

        sqlServer["persons"].ShouldContain("FROM [ssd].[ssd_person]");
        sqlServer["episodes"].ShouldContain("CAST(cine_close_reason AS NVARCHAR(400))");
    }

    [Fact]
    public void TheCouncilsOptionalQueries_AreWrappedToNameTheirColumns_AndAbsentWhenNotSet()
    {
        var dialect = new SsdDialect(SsdDialect.SqlServer, "ssd");

        dialect.GpPracticeQuery(null).ShouldBeNull();
        dialect.StepDownQuery("  ").ShouldBeNull();
        var gp = dialect.GpPracticeQuery("SELECT person_id, ods_code, practice_name FROM dbo.v_gp;")!;
        gp.ShouldContain("FROM (SELECT person_id, ods_code, practice_name FROM dbo.v_gp) q");
        gp.ShouldContain("CAST(q.ods_code AS NVARCHAR(400)) AS OdsCode");
    }

    [Fact]
    public void AnUnknownProvider_IsRefused()
    {
        Should.Throw<ArgumentException>(() => new SsdDialect("oracle", "ssd")).Message.ShouldContain("oracle");
    }
}
