using Vdi.WebGateway.Apis.Admin;

namespace Vdi.Tests.Security;

/// <summary>Issue 14 §6: a journal export never hands a spreadsheet a formula written by a client or a user.</summary>
public sealed class CsvExportTests
{
    [Theory]
    [InlineData("=HYPERLINK(\"http://evil.example\")", "\"'=HYPERLINK(\"\"http://evil.example\"\")\"")]
    [InlineData("+1+1", "'+1+1")]
    [InlineData("-2+3", "'-2+3")]
    [InlineData("@SUM(A1)", "'@SUM(A1)")]
    [InlineData("\tcmd", "'\tcmd")]
    [InlineData("plain, with a comma", "\"plain, with a comma\"")]
    [InlineData("Пользователь вошёл", "Пользователь вошёл")]
    public void Cells_that_a_spreadsheet_would_run_are_neutralised(string value, string cell) =>
        Assert.Equal(cell, AdminQueries.Csv(value));
}
