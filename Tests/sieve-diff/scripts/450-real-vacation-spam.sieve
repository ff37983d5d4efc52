require ["vacation", "fileinto", "envelope", "date", "relational"];
# Out of office: answer humans only, keep everything
if allof (currentdate :value "ge" "date" "2000-01-01",
          not header :contains "X-Spam-Flag" "YES") {
    vacation :days 7 :subject "Out of office"
             :addresses ["me@example.org", "me.myself@example.org"]
             "I am out of the office until further notice.";
}
