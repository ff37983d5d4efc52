require ["imap4flags"];
addflag "  Foo   foo \\SEEN  ";
keep;
