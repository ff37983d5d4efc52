require ["imap4flags", "variables", "relational", "comparator-i;ascii-numeric", "fileinto"];
setflag "A B";
if hasflag :is "b A" { fileinto "is-b-a"; }
if hasflag ["b","A"] { fileinto "list-b-a"; }
set "MyVar" "NonJunk Junk gnus-forward $Forwarded NotJunk JunkRecorded $Junk $NotJunk";
if hasflag :contains "MyVar" "Junk" { fileinto "c1"; }
if hasflag :contains "MyVar" "forward" { fileinto "c2"; }
if hasflag :contains "MyVar" ["label", "forward"] { fileinto "c3"; }
if hasflag :contains "MyVar" ["junk", "forward"] { fileinto "c4"; }
set "MyFlags" "A B";
if hasflag :count "ge" :comparator "i;ascii-numeric" "MyFlags" "2" { fileinto "count2"; }
