require ["imap4flags"];
addflag ["\\Bogus", "ok", "bad(flag"];
keep;
