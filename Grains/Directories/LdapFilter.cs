using System.Text;

namespace Vdi.Grains.Directories;

/// <summary>RFC 4515 escaping of values put into search filters: no username can widen or rewrite a filter.</summary>
public static class LdapFilter
{
    public static string Escape(string value)
    {
        var text = new StringBuilder(value.Length + 8);
        foreach (var c in value)
        {
            _ = c switch
            {
                '\\' => text.Append(@"\5c"),
                '*' => text.Append(@"\2a"),
                '(' => text.Append(@"\28"),
                ')' => text.Append(@"\29"),
                '\0' => text.Append(@"\00"),
                _ => text.Append(c),
            };
        }

        return text.ToString();
    }
}
