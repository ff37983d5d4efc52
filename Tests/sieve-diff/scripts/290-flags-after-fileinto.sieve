require ["imap4flags", "fileinto"];
fileinto "A";
addflag "Late";
