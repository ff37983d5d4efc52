require ["imap4flags"];
setflag ["\\Seen", "\\Flagged", "Todo"];
removeflag "\\flagged";
keep;
