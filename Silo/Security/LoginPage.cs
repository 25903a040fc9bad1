using System.Net;

namespace Vdi.Silo.Security;

/// <summary>The silo's small sign-in page in front of the Orleans dashboard.</summary>
public static class LoginPage
{
    public static IResult Render(string? returnUrl, string? error, int status = StatusCodes.Status200OK)
    {
        var errorHtml = error is null ? "" : $"""<p class="error" role="alert">{WebUtility.HtmlEncode(error)}</p>""";
        var html = $"""
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8"><title>VDI broker · cluster dashboard</title>
            <style>
              body {"{"} font-family: system-ui, sans-serif; background: #f4f6f8; display: grid; place-items: center; height: 100vh; margin: 0; {"}"}
              form {"{"} background: #fff; padding: 2rem; border-radius: 8px; box-shadow: 0 2px 8px #0002; width: 20rem; {"}"}
              label, input, button {"{"} display: block; width: 100%; box-sizing: border-box; margin-top: .5rem; {"}"}
              input, button {"{"} padding: .5rem; font-size: 1rem; {"}"}
              .error {"{"} color: #b00020; {"}"}
            </style></head>
            <body><form method="post" action="/login">
              <h1>Cluster dashboard</h1>
              <p>Sign in with a broker administrator account.</p>
              {errorHtml}
              <input type="hidden" name="returnUrl" value="{WebUtility.HtmlEncode(returnUrl ?? "/dashboard/")}">
              <label for="username">Username</label><input id="username" name="username" autocomplete="username" required autofocus>
              <label for="password">Password</label><input id="password" name="password" type="password" autocomplete="current-password" required>
              <label for="code">One-time password (accounts with two-factor authentication)</label><input id="code" name="code" inputmode="numeric" autocomplete="one-time-code" maxlength="10">
              <button type="submit">Sign in</button>
            </form></body></html>
            """;
        return Results.Content(html, "text/html; charset=utf-8", statusCode: status);
    }
}
