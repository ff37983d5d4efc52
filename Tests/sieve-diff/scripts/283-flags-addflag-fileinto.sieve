require ["imap4flags", "fileinto"];
addflag ["\\Flagged", "Work"];
fileinto "Work";
