require ["ereject", "spamtest", "fileinto",
         "comparator-i;ascii-numeric"];

if spamtest :value "ge"
            :comparator "i;ascii-numeric" "6" {
    ereject text:
AntiSpam engine thinks your message is spam.
It is therefore being refused.
Please call 1-900-PAY-US if you want to reach us.
.
    ;
} elsif spamtest :value "ge"
                 :comparator "i;ascii-numeric" "4" {
    fileinto "Suspect";
}
