require ["imap4flags", "variables"];
setflag "\\Seen";
set "a" "";
redirect "${a}";
