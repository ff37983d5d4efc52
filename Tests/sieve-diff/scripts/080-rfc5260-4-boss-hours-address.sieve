require ["date", "relational", "fileinto"];
if allof(address :is "from" "boss@example.org",
         date :value "ge" :originalzone "date" "hour" "07",
         date :value "lt" :originalzone "date" "hour" "17")
{ fileinto "urgent"; }
