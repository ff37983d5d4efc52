require ["imap4flags", "fileinto"];
addflag "Junk";
if hasflag "junk" { fileinto "Junk"; }
