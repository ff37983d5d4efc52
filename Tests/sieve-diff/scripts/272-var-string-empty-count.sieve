require ["variables", "fileinto", "relational", "comparator-i;ascii-numeric"];
if string :count "eq" :comparator "i;ascii-numeric" ["", "a", ""] "1" { fileinto "yes"; }
