require ["imap4flags", "envelope"];
# Flag everything from the boss and keep it in the inbox
if anyof (address :is "from" "boss@example.org",
          envelope :is "from" "boss@example.org") {
    addflag "\\Flagged";
    if header :contains "subject" ["urgent", "asap"] {
        addflag "$Important";
    }
}
