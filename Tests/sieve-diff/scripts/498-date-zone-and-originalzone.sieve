require ["date", "fileinto"];
if date :zone "+0000" :originalzone :is "date" "year" "2020" { fileinto "yes"; }
